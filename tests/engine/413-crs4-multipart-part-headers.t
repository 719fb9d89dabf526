# CRS 4 (922110, 922120): MULTIPART_PART_HEADERS, every header line of every
# part, keyed by the part's name, with capture into TX:1 (the chained rule
# sees the capture of the last part that matched).
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRule MULTIPART_PART_HEADERS "@rx content-transfer-encoding:(.*)" \
    "id:922120,phase:2,pass,capture,t:none,t:lowercase,log,msg:'Content-Transfer-Encoding was deprecated',logdata:'%{MATCHED_VAR_NAME}',setvar:'tx.cte=%{tx.1}'"
SecRule MULTIPART_PART_HEADERS "@rx ^content-type\s*:\s*(.*)$" \
    "id:922110,phase:2,pass,capture,t:none,t:lowercase,log,chain"
    SecRule TX:1 "!@rx ^text/plain$" "setvar:'tx.bad_part_type=%{tx.1}'"
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: multipart/form-data; boundary=XyZ

--XyZ
Content-Disposition: form-data; name="note"
Content-Transfer-Encoding: base64

aGVsbG8=
--XyZ
Content-Disposition: form-data; name="upload"; filename="a.txt"
Content-Type: text/plain

hello
--XyZ
Content-Disposition: form-data; name="other"; filename="b.txt"
Content-Type: text/plain; charset=utf-7

+AGQ-
--XyZ--
--EXPECT--
intercepted 0
id 922120
log-contains at MULTIPART_PART_HEADERS:note\. .*\[data "MULTIPART_PART_HEADERS:note"\]
tx cte  base64
id 922110
tx bad_part_type text/plain; charset=utf-7
