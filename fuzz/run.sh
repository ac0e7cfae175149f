#!/usr/bin/env bash
# Fuzzes one reader with AFL++ through SharpFuzz for a bounded time, then prints executions, crashes and hangs.
#
#   fuzz/run.sh x12|dicom|fhir SECONDS        e.g. fuzz/run.sh x12 600
#
# Builds fuzz/Consilium.Fuzz into a temporary directory, instruments the reader's assembly there with `sharpfuzz` (the
# local dotnet tool), seeds the corpus from ../shared/data (copied into the temporary directory, never into the repo)
# plus fuzz/seeds, and runs afl-fuzz with a memory limit (-m, address space; plus a managed heap limit) and a time limit
# per input (-t). Findings are kept in fuzz/findings/TARGET-DATE/ (ignored by git); replay them, uninstrumented, with
#   dotnet run --project fuzz/Consilium.Fuzz -c Release -- TARGET fuzz/findings/TARGET-DATE/default/crashes
# See fuzz/README.md.
#
# Environment: FUZZ_MEMORY_MB (address space, default 4096), FUZZ_HEAP_MB (managed heap, default 512),
# FUZZ_TIMEOUT_MS (per input, default 5000: it also covers restarting the .NET child after a crash or a hang).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

target=${1:-}
seconds=${2:-}
case "$target" in x12|dicom|fhir) ;; *) echo "usage: fuzz/run.sh x12|dicom|fhir SECONDS" >&2; exit 2 ;; esac
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh x12|dicom|fhir SECONDS" >&2; exit 2; }
memory_mb=${FUZZ_MEMORY_MB:-4096}
heap_mb=${FUZZ_HEAP_MB:-512}
timeout_ms=${FUZZ_TIMEOUT_MS:-5000}

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "afl-fuzz is missing: apt-get install -y afl++ (as root)" >&2; exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d /tmp/consilium-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "==> building fuzz/Consilium.Fuzz into $work/bin" >&2
dotnet tool restore >/dev/null
dotnet publish fuzz/Consilium.Fuzz -c Release -o "$work/bin" -v quiet -nologo >/dev/null

# Only the code under test is instrumented: AFL's coverage map then measures the reader, not the runtime.
instrument() { echo "==> instrumenting $1 ${*:2}" >&2; dotnet tool run sharpfuzz "$work/bin/$1" "${@:2}" >/dev/null; }
data="$root/../shared/data"
seeds="$work/in"
mkdir -p "$seeds"
# Seeds: the shared samples up to 64 KiB (AFL mutates small inputs best; the big ones add nothing but time).
seed_from() { [ -d "$1" ] && find "$1" -type f -size -65k -print0 | while IFS= read -r -d '' f; do cp "$f" "$seeds/$(echo "$f" | md5sum | cut -c1-12)-$(basename "$f")"; done; return 0; }
case "$target" in
  x12)
    instrument Consilium.X12.dll
    seed_from "$data/x12"
    cp tests/Consilium.X12.Tests/Fixtures/*.edi "$seeds/" ;;
  dicom)
    instrument Consilium.Dicom.dll
    seed_from "$data/dicom" ;;
  fhir)
    # Our part of POST /fhir, and the SDK's JSON parser that every byte of the body goes through.
    instrument Consilium.Web.dll Consilium.Features.Fhir Consilium.Features.Cases.CaseIntake Consilium.Features.Cases.ClinicalCodes
    instrument Hl7.Fhir.Base.dll Hl7.Fhir.Serialization
    seed_from "$data/fhir"
    cp fuzz/seeds/fhir/* "$seeds/" ;;
esac
if [ -z "$(ls -A "$seeds")" ]; then echo "no seeds: ../shared/data/$target is missing" >&2; exit 1; fi
echo "==> $(ls "$seeds" | wc -l) seeds, $seconds s, -m ${memory_mb} MB, heap ${heap_mb} MB, -t ${timeout_ms} ms" >&2

findings="fuzz/findings/$target-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$findings"
# AFL_SKIP_BIN_CHECK: the target is `dotnet`, which carries no AFL instrumentation itself (SharpFuzz's fork server
# speaks AFL's protocol). AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES: core_pattern may pipe to a handler we leave alone.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 \
  AFL_FORKSRV_INIT_TMOUT=120000 AFL_NO_AFFINITY=1 AFL_TRY_AFFINITY=0
# The managed heap limit turns an unbounded allocation into an OutOfMemoryException (reported as a crash).
export DOTNET_GCHeapHardLimit=$(printf '0x%x' $((heap_mb * 1024 * 1024))) DOTNET_TieredPGO=0
afl-fuzz -i "$seeds" -o "$findings" -m "$memory_mb" -t "$timeout_ms" -V "$seconds" -x "fuzz/dict/$target.dict" \
  -- dotnet "$work/bin/Consilium.Fuzz.dll" "$target" >"$findings/afl.log" 2>&1 || { tail -n 40 "$findings/afl.log" >&2; exit 1; }

stats="$findings/default/fuzzer_stats"
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "target:       $target"
echo "run time:     $(( $(stat last_update) - $(stat start_time) )) s"
echo "executions:   $(stat execs_done)"
echo "execs/s:      $(stat execs_per_sec)"
echo "corpus:       $(stat corpus_count) inputs, $(stat bitmap_cvg) of the map"
echo "crashes:      $crashes"
echo "hangs:        $hangs"
echo "findings:     $findings"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
