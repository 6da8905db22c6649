-- wrk script: POST /posts, a new post of about the size the reads serve, with the bearer token in POSTS_BENCH_TOKEN;
-- with WRK_DELAY_MS, each connection waits that long between requests (a paced load, for latency below saturation).
local token = os.getenv("POSTS_BENCH_TOKEN")
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
local body = '{"title":"A post of the benchmark","content":"' .. string.rep("Some text of a post. ", 20) .. '"}'

request = function()
  return wrk.format("POST", "/posts",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

if pause > 0 then
  delay = function()
    return pause
  end
end
