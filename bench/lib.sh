# bench/lib.sh: what every bench/ script shares, sourced by them (not run on its own).
#   bench_check_build     the build type of the binaries measured; refuses a sanitizer build
#   bench_wait_quiet      waits for a quiet machine (1-minute load average below 1.0)
#   bench_measure         runs tools in turns and keeps each one's medians
#   bench_ratio           one line of the "Ratios" list, computed from two rows of this run
#   bench_run_line        the run line every section starts with
#   bench_write_section   replaces this script's own section of docs/benchmarks.md
# The caller sets: root (the repository), bench_name (validate, diff, fetch), work (scratch dir).
# docs/benchmarks.md is written only by these scripts; tests/unit/benchmarks_doc_test.cpp checks
# that every section has its markers and run line and that every ratio divides rows of its table.

bench_build=${SLUICE_BUILD:-$root/build}
bench_peers=()          # "name version" of every peer measured, for the run line
bench_runs_note=""      # e.g. "medians of 3 runs"; set by the script
bench_sizes_note=""     # e.g. "default sizes"; set by the script

# bench_check_build: sets bench_build_type, or exits 2 on a sanitizer build: its timings measure
# the instrumentation, not sluice.
bench_check_build() {
  local cache=$bench_build/CMakeCache.txt
  [ -f "$cache" ] || { echo "bench/$bench_name: no $cache; build first (scripts/setup) or set SLUICE_BUILD" >&2; exit 2; }
  local type sanitize flags
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
  sanitize=$(sed -n 's/^SLUICE_SANITIZE:BOOL=//p' "$cache")
  # The flags a tool's main was really compiled with (compile_commands.json is always exported).
  flags=$(python3 - "$bench_build/compile_commands.json" <<'PY' 2>/dev/null || true
import json, sys
for entry in json.load(open(sys.argv[1])):
    if entry["file"].endswith("validate/main.cpp"):
        words = entry.get("command", " ".join(entry.get("arguments", []))).split()
        print(" ".join(w for w in words if w.startswith(("-O", "-fsanitize")) or w in ("-g", "-DNDEBUG")))
        break
PY
)
  if [ "$sanitize" = "ON" ] || [[ "$flags" == *-fsanitize* ]]; then
    echo "bench/$bench_name: REFUSED: $bench_build is a sanitizer build (SLUICE_SANITIZE=$sanitize, flags: $flags)." >&2
    echo "  Its timings measure ASan/UBSan, not sluice. Point SLUICE_BUILD at a release build." >&2
    exit 2
  fi
  if [ -z "$type" ]; then
    # CMakeLists.txt picks the type when the cache leaves it empty.
    type=$(sed -n 's/^ *set(CMAKE_BUILD_TYPE \([A-Za-z]*\)).*/\1/p' "$root/CMakeLists.txt" | head -1)
    type="${type:-unknown} (CMakeLists.txt's default; CMAKE_BUILD_TYPE is empty in CMakeCache.txt)"
  fi
  bench_build_type="$type, flags ${flags:-unknown}"
  bench_binary_mtime=$(date -u -r "$bench_build/tools/sluice-$bench_binary" '+%Y-%m-%d %H:%M:%S UTC' 2>/dev/null || echo missing)
  if [[ "$flags" != *-O[123s]* ]]; then
    echo "bench/$bench_name: WARNING: $bench_build is not an optimized build ($bench_build_type)" >&2
    bench_build_type="$bench_build_type, NOT OPTIMIZED"
  fi
}

bench_load1() { cut -d' ' -f1 /proc/loadavg; }

# bench_wait_quiet: waits (checking every 20 s, at most 10 minutes) until the 1-minute load average
# is below 1.0: the VM is shared with builds. Sets bench_load_start and bench_wait_note.
bench_wait_quiet() {
  local limit=${BENCH_QUIET_LOAD:-1.0} max=${BENCH_QUIET_WAIT:-600} waited=0 load
  load=$(bench_load1)
  while awk -v l="$load" -v m="$limit" 'BEGIN { exit !(l >= m) }'; do
    if [ "$waited" -ge "$max" ]; then
      bench_wait_note="gave up waiting for < $limit after $((waited / 60)) min $((waited % 60)) s: NOT QUIET"
      echo "bench/$bench_name: load $load after ${waited} s of waiting; running anyway" >&2
      bench_load_start=$load
      bench_started=$(date -u '+%Y-%m-%d %H:%M UTC')
      return
    fi
    echo "bench/$bench_name: load $load (1 min) >= $limit; waiting" >&2
    sleep 20; waited=$((waited + 20)); load=$(bench_load1)
  done
  if [ "$waited" -gt 0 ]; then
    bench_wait_note="below $limit after waiting $((waited / 60)) min $((waited % 60)) s"
  else
    bench_wait_note="below $limit without waiting"
  fi
  bench_load_start=$load
  bench_started=$(date -u '+%Y-%m-%d %H:%M UTC')
}

# bench_measure RUNS LABEL SCRIPT [LABEL SCRIPT ...]: RUNS rounds; in each, every bash SCRIPT runs
# once, in turn, so that the VM's drift hits each tool alike. Per LABEL: the median wall seconds
# (wall), peak RSS in MiB (rss) and user + system CPU seconds (cpu) of its runs. Exit 1 counts as
# success (differences found, invalid records found); any other failure makes the row "failed".
# bench_before_each, if set, names a function run before every run (e.g. to remove outputs).
declare -A wall rss cpu
bench_before_each=${bench_before_each:-}
bench_measure() {
  local runs=$1; shift
  local args=("$@") i label rc t m u k n=0
  local -A times mems cpus failed
  for _ in $(seq "$runs"); do
    for ((i = 0; i < ${#args[@]}; i += 2)); do
      label=${args[i]}
      [ -n "${failed[$label]:-}" ] && continue
      [ -z "$bench_before_each" ] || "$bench_before_each"
      rc=0
      /usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" bash -c "${args[i + 1]}" \
        >"$work/run-$((i / 2)).out" 2>"$work/run-$((i / 2)).err" || rc=$?
      if [ "$rc" -gt 1 ]; then
        echo "$label: failed (exit $rc): $(tail -c 300 "$work/run-$((i / 2)).err")" >&2
        failed[$label]=1; continue
      fi
      read -r t m u k < <(tail -n1 "$work/time.txt")
      times[$label]+="$t "; mems[$label]+="$m "
      cpus[$label]+="$(awk -v u="$u" -v k="$k" 'BEGIN { print u + k }') "
    done
  done
  local mid=$(( (runs + 1) / 2 ))
  for ((i = 0; i < ${#args[@]}; i += 2)); do
    label=${args[i]}
    if [ -n "${failed[$label]:-}" ]; then wall[$label]=failed; rss[$label]=-; cpu[$label]=-; continue; fi
    wall[$label]=$(printf '%s\n' ${times[$label]} | sort -n | sed -n "${mid}p")
    rss[$label]=$(printf '%s\n' ${mems[$label]} | sort -n | sed -n "${mid}p" | awk '{printf "%.1f", $1/1024}')
    cpu[$label]=$(printf '%s\n' ${cpus[$label]} | sort -n | sed -n "${mid}p" | awk '{printf "%.2f", $1}')
    echo "$label: ${wall[$label]} s, ${rss[$label]} MiB, ${cpu[$label]} s CPU" >&2
  done
}

# bench_ratio DIGITS A B: "- `A` / `B`: 13.45 s / 1.06 s = 12.7×", both the median wall times
# of rows A and B of this run's table, as printed there. A row that failed gives no ratio.
bench_ratio() {
  local digits=$1 a=$2 b=$3
  if awk -v x="${wall[$a]:-}" -v y="${wall[$b]:-}" 'BEGIN { exit !(x + 0 > 0 && y + 0 > 0) }'; then
    awk -v x="${wall[$a]}" -v y="${wall[$b]}" -v d="$digits" -v A="$a" -v B="$b" \
      'BEGIN { printf "- `%s` / `%s`: %s s / %s s = %.*f×\n", A, B, x, y, d, x / y }'
  else
    printf -- '- `%s` / `%s`: not measured (%s / %s)\n' "$a" "$b" "${wall[$a]:-none}" "${wall[$b]:-none}"
  fi
}

# bench_run_line: the first line of a section. Call it after the last measurement.
bench_run_line() {
  local cpu_model mem_gib load_end commit peers
  cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
  load_end=$(bench_load1)
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -z "$(git -C "$root" status --porcelain -- tools 2>/dev/null)" ] || commit="$commit with uncommitted changes in tools/"
  peers=$(IFS=','; echo "${bench_peers[*]}" | sed 's/,/, /g')
  local binaries="binaries of $bench_binary_mtime"
  # The VM is shared with builds: a build that relinks the tool mid-run mixes two versions.
  [ "$(date -u -r "$bin/sluice-$bench_binary" '+%Y-%m-%d %H:%M:%S UTC')" = "$bench_binary_mtime" ] ||
    binaries="$binaries, REPLACED DURING THE RUN (now $(date -u -r "$bin/sluice-$bench_binary" '+%Y-%m-%d %H:%M:%S UTC'))"
  printf '**Run:** %s, `bench/%s` (%s) · machine: %s, %s cores, %s GiB memory · build: %s; sluice %s, %s · peers: %s · load (1 min): %s at start (%s), %s at end (the end figure includes the bench itself) · %s, the tools taking turns.\n' \
    "$bench_started" "$bench_name" "$bench_sizes_note" "${cpu_model:-unknown CPU}" "$(nproc)" "$mem_gib" \
    "$bench_build_type" "$commit" "$binaries" \
    "$peers" "$bench_load_start" "$bench_wait_note" "$load_end" "$bench_runs_note"
}

# bench_write_section TEXT: replaces this script's section of docs/benchmarks.md, between
# <!-- bench/NAME: begin --> and <!-- bench/NAME: end -->, leaving every other section alone.
bench_write_section() {
  mkdir -p "$root/docs"
  python3 - "$root/docs/benchmarks.md" "$bench_name" "$1" <<'PY'
import os, re, sys
path, name, body = sys.argv[1], sys.argv[2], sys.argv[3].strip()
begin, end = f"<!-- bench/{name}: begin -->", f"<!-- bench/{name}: end -->"
section = f"{begin}\n{body}\n{end}"
text = open(path).read() if os.path.exists(path) else (
    "# Benchmarks\n\nWritten by the scripts in bench/, each its own section between its markers; "
    "never edit a section by hand: rerun its script.\n"
    "Each section starts with its run line (date, machine, build type, peers' versions, load average, repetitions), and\n"
    "every ratio in it divides two rows of its own table, both measured in that run (tests/unit/benchmarks_doc_test.cpp).\n")
marked = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
unmarked = re.compile(r"^## " + re.escape(name) + r"\n.*?(?=^## |^<!-- bench/|\Z)", re.S | re.M)
if marked.search(text):
    text = marked.sub(lambda m: section, text)
elif unmarked.search(text):  # a section from before the markers
    text = unmarked.sub(lambda m: section + "\n\n", text).rstrip() + "\n"
else:
    text = text.rstrip() + "\n\n" + section + "\n"
tmp = path + ".tmp"
open(tmp, "w").write(text)
os.replace(tmp, path)
PY
  echo "wrote the $bench_name section of docs/benchmarks.md" >&2
}
