# Signed names and updatable sites across 10 nodes: editions, latest,
# write-once names, forged blocks refused everywhere.
. tests/net/lib.sh

N=10
i=0
while [ $i -lt $N ]; do start_node "n$i" || exit 1; i=$((i + 1)); done
link() { w "n$1" peer add "$(w "n$2" noderef)" >/dev/null; w "n$2" peer add "$(w "n$1" noderef)" >/dev/null; }
i=0
while [ $i -lt $N ]; do link $i $(((i + 1) % N)); i=$((i + 1)); done
link 0 5; link 2 7; link 3 8
check "links up" wait_for 10 connected n5 3

w n0 -q keygen >"$T/keys"
ins=$(sed -n 's/^insert: //p' "$T/keys")
req=$(sed -n 's/^request: //p' "$T/keys")
check "keygen prints an insert and a request URI" [ -n "$ins" -a -n "$req" ]
check "the request URI holds no secret" [ ${#req} -lt ${#ins} ]

# A document under a signed name.
echo "signed words $(date +%s%N)" >"$T/doc"
got=$(w n0 put -q "$T/doc" --key "${ins}notes")
check "put --key prints the request URI" [ "$got" = "${req}notes" ]
w n7 get -q "${req}notes" -o "$T/doc.out"
check "fetched and verified from another node" cmp -s "$T/doc" "$T/doc.out"
echo "a rival text" >"$T/rival"
expect_exit 1 "a different document under the same name is refused" w n3 put -q "$T/rival" --key "${ins}notes"
check "and says the first one stays" grep -q "first one stays" "$T/err"
w n9 get -q "${req}notes" -o "$T/doc.out2"
check "the first document is still what the name gives" cmp -s "$T/doc" "$T/doc.out2"
expect_exit 2 "put --key with a request URI is refused" w n0 put -q "$T/doc" --key "${req}notes"

# An updatable site: editions 1 to 3, then latest from elsewhere.
uins=$(echo "$ins" | sed 's/^SSK/USK/')
ureq=$(echo "$req" | sed 's/^SSK/USK/')
for e in 1 2 3; do
	echo "edition $e of the site" >"$T/ed$e"
	w n0 put -q "$T/ed$e" --key "${uins}site/$e" >/dev/null || bad "publish edition $e"
done
w n5 get -q -v "${ureq}site/latest" -o "$T/latest" 2>"$T/v"
check "latest from another node finds edition 3" cmp -s "$T/ed3" "$T/latest"
check "and says which edition" grep -q "edition 3" "$T/v"
w n8 get -q "${ureq}site/2" -o "$T/e2"
check "edition 2 by number" cmp -s "$T/ed2" "$T/e2"
w n4 get -q "${ureq}site/-2" -o "$T/from2"
check "a negative edition searches forward from it" cmp -s "$T/ed3" "$T/from2"
expect_exit 4 "an edition never published is not found" w n6 get -q "${ureq}site/7"

# A forged edition 4, signed by another key: every node refuses it.
w n1 -q keygen >"$T/keys2"
evil=$(sed -n 's/^insert: //p' "$T/keys2")
"$FORGE" "${ureq}site/4" "$(echo "$evil" | sed 's/^SSK/USK/')site/4" "$T/forged"
refused=0
i=0
while [ $i -lt $N ]; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/n$i/api.token")" \
		-X POST --data-binary @"$T/forged" "http://$(cat "$T/n$i/api.addr")/api/v1/blocks")
	[ "$code" = 400 ] && refused=$((refused + 1))
	i=$((i + 1))
done
check "all $N nodes refuse the forged edition ($refused)" [ $refused -eq $N ]
w n2 get -q "${ureq}site/latest" -o "$T/latest2"
check "latest is still edition 3" cmp -s "$T/ed3" "$T/latest2"

finish
