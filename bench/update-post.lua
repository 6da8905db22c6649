-- wrk script: PUT /posts/{id} without If-Match, on the posts of author-0 (ids 100, 200, … 100 x POSTS_BENCH_UPDATES,
-- drawn uniformly), with that author's bearer token in POSTS_BENCH_TOKEN.
local token = os.getenv("POSTS_BENCH_TOKEN")
local updates = tonumber(os.getenv("POSTS_BENCH_UPDATES") or "10")
local body = '{"title":"A post replaced by the benchmark","content":"' .. string.rep("Some new text of a post. ", 20)
  .. '"}'

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  return wrk.format("PUT", "/posts/" .. 100 * math.random(1, updates),
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
