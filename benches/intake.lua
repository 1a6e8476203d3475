-- wrk script for the intake benchmark: every request is a different, valid complaint (its own
-- phone number, respondent and text), so duplicate detection and routing do their real work.
-- With ODRDESK_BENCH_PATTERN=repeated every request is the same consumer's complaint against
-- the same business again (one phone, one respondent): the duplicate lookup's worst case.
-- Each thread stops after MAX_PER_THREAD responses; wrk's -d bounds the time.
local MAX_PER_THREAD = tonumber(os.getenv("ODRDESK_BENCH_MAX_PER_THREAD") or "100000")
local REPEATED = os.getenv("ODRDESK_BENCH_PATTERN") == "repeated"

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

sent, answered, created, other = 0, 0, 0, 0

local respondents = {
  { "江门市美颜化妆品有限公司", "91440703MA4UJ5QX2U", "440703" },
  { "江门市蓬江区某某美妆店", nil, "440703" },
  { "新会区某日化商行", nil, "440705" },
  { "台山市某护肤品专卖店", nil, "440781" },
}
local problems = {
  { "goods.cosmetics.skincare", "quality", "面膜使用后皮肤过敏红肿", "使用两次后面部红肿瘙痒，停用后仍未好转" },
  { "goods.cosmetics.skincare", "false_advertising", "宣称美白淡斑效果与实际不符", "商家宣传七天美白，使用一个月无任何效果" },
  { "goods.cosmetics.makeup", "counterfeit", "口红疑似假冒品牌产品", "包装印刷模糊，与专柜正品对比颜色气味不同" },
  { "services.beauty_salon", "contract", "美容院预付卡拒绝退款", "办理预付卡后门店停业，要求退还余额被拒绝" },
}

function request()
  sent = sent + 1
  local n = id * 10000000 + sent
  local r = respondents[REPEATED and 1 or (n % #respondents) + 1]
  local p = problems[REPEATED and 1 or (math.floor(n / 7) % #problems) + 1]
  local uscc = r[2] and string.format(',"uscc":"%s"', r[2]) or ""
  local body = string.format(
    '{"channel":"web","complainant":{"name":"测试%d","phone":"13%09d","address":"江门市蓬江区建设路%d号"},' ..
    '"respondent":{"name":"%s"%s,"address":"江门市某路8号","district":"%s"},' ..
    '"category":"%s","nature":"%s","title":"%s","description":"%s 编号%d","claim":"退货退款",' ..
    '"purchase":{"date":"2026-10-02","amount_fen":%d,"online":%s},"prefer_odr":false}',
    n, REPEATED and 1 or n % 1000000000, n % 500, r[1], uscc, r[3], p[1], p[2], p[3], p[4], n,
    1000 + (n % 50000), (n % 2 == 0) and "true" or "false")
  return wrk.format("POST", "/api/v1/complaints", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status == 201 then created = created + 1 else other = other + 1 end
  if answered >= MAX_PER_THREAD then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local total_created, total_other = 0, 0
  for _, t in ipairs(threads) do
    total_created = total_created + t:get("created")
    total_other = total_other + t:get("other")
  end
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f created=%d other=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, total_created, total_other,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
