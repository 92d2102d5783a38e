#!/usr/bin/env bash
# Compares the dynamic symbols of the reference library with ours: every
# reference symbol must be exported, as the same kind (function, read-only
# or writable data) and, for data, with the same size; ours must carry the
# reference's SONAME.
#   check_symbols.sh REFERENCE.so OURS.so [OTHER_REFERENCE.so]
# With OTHER_REFERENCE (for libzookeeper_st: Debian's libzookeeper_mt), each
# symbol the other reference exports and REFERENCE does not (the
# synchronous API) must be absent from ours, as it is from the reference.
set -euo pipefail
ref=$1; ours=$2; other=${3:-}
soname_of() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
want_soname=$(soname_of "$ref")
tag=${want_soname%%.so*}
syms() { nm -D --defined-only -S "$1" | awk 'NF==4 {print $4, $3, $2} NF==3 {print $3, $2, "-"}' | sort; }
syms "$ref" >"$tag.ref.syms"
syms "$ours" >"$tag.ours.syms"
missing=0; kind=0; size=0; forbidden=0
while read -r name k sz; do
  line=$(grep -E "^$name " "$tag.ours.syms" || true)
  if [ -z "$line" ]; then echo "missing: $name"; missing=$((missing+1)); continue; fi
  ok=$(echo "$line" | awk '{print $2}'); osz=$(echo "$line" | awk '{print $3}')
  if [ "$ok" != "$k" ]; then echo "kind differs: $name reference=$k ours=$ok"; kind=$((kind+1)); fi
  if [ "$k" != T ] && [ "$osz" != "$sz" ]; then echo "size differs: $name reference=$sz ours=$osz"; size=$((size+1)); fi
done <"$tag.ref.syms"
if [ -n "$other" ]; then
  syms "$other" | awk '{print $1}' >"$tag.other.names"
  awk '{print $1}' "$tag.ref.syms" >"$tag.ref.names"
  while read -r name; do
    if grep -qE "^$name " "$tag.ours.syms"; then
      echo "exported but absent from the reference: $name"; forbidden=$((forbidden+1))
    fi
  done < <(comm -23 "$tag.other.names" "$tag.ref.names")
fi
soname=$(soname_of "$ours")
echo "reference symbols: $(wc -l <"$tag.ref.syms"), ours: $(wc -l <"$tag.ours.syms"), soname: $soname"
echo "missing=$missing kind_differences=$kind size_differences=$size${other:+ must_not_export=$forbidden}"
[ "$soname" = "$want_soname" ] || { echo "wrong SONAME: want $want_soname"; exit 1; }
[ $missing -eq 0 ] && [ $kind -eq 0 ] && [ $size -eq 0 ] && [ $forbidden -eq 0 ]
