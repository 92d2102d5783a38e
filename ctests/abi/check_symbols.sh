#!/usr/bin/env bash
# Compares the dynamic symbols of the reference library with ours: every
# reference symbol must be exported, as the same kind (function, read-only
# or writable data) and, for data, with the same size.
#   check_symbols.sh REFERENCE.so OURS.so
set -euo pipefail
ref=$1; ours=$2
syms() { nm -D --defined-only -S "$1" | awk 'NF==4 {print $4, $3, $2} NF==3 {print $3, $2, "-"}' | sort; }
syms "$ref" >ref.syms
syms "$ours" >ours.syms
missing=0; kind=0; size=0
while read -r name k sz; do
  line=$(grep -E "^$name " ours.syms || true)
  if [ -z "$line" ]; then echo "missing: $name"; missing=$((missing+1)); continue; fi
  ok=$(echo "$line" | awk '{print $2}'); osz=$(echo "$line" | awk '{print $3}')
  if [ "$ok" != "$k" ]; then echo "kind differs: $name reference=$k ours=$ok"; kind=$((kind+1)); fi
  if [ "$k" != T ] && [ "$osz" != "$sz" ]; then echo "size differs: $name reference=$sz ours=$osz"; size=$((size+1)); fi
done <ref.syms
soname=$(readelf -d "$ours" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "reference symbols: $(wc -l <ref.syms), ours: $(wc -l <ours.syms), soname: $soname"
echo "missing=$missing kind_differences=$kind size_differences=$size"
[ "$soname" = libzookeeper_mt.so.2 ] || { echo "wrong SONAME"; exit 1; }
[ $missing -eq 0 ] && [ $kind -eq 0 ] && [ $size -eq 0 ]
