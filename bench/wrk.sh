# What the search benchmarks share (sourced by bench/search.sh and bench/compare.sh).

# Writes to $3 a wrk script whose requests are $1 followed by a line of $2, cycled through;
# each wrk thread starts from its own offset, so that repeats (which the server's result cache
# would answer) are rare.
queries_script() {
  cat > "$3" <<LUA
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local paths = {}
for line in io.lines("$2") do paths[#paths + 1] = "$1" .. line end
local i = nil
request = function()
  i = ((i or offset * math.floor(#paths / 2)) % #paths) + 1
  return wrk.format("GET", paths[i])
end
LUA
}

# Reads wrk --latency output and prints one line: $1, requests per second, p50 and p99.
report() {
  awk -v name="$1" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 } /Non-2xx/ { bad=$4 }
    $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) }
    END { printf "%-40s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms%s\n", name, rps, p50, p99, (bad ? "  NON-2XX " bad : "") }'
}
