-- wrk script: POST /posts, a new post of about the size the reads serve, with the bearer token in POSTS_BENCH_TOKEN.
local token = os.getenv("POSTS_BENCH_TOKEN")
local body = '{"title":"A post of the benchmark","content":"' .. string.rep("Some text of a post. ", 20) .. '"}'

request = function()
  return wrk.format("POST", "/posts",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
