# CRS 4: @unconditionalMatch replaces 3.3's "@rx ^.*$" (901318: the hash of
# the User-Agent); a missing variable still gives no match.
--CONF--
SecRuleEngine On
SecRule REQUEST_HEADERS:User-Agent "@unconditionalMatch" \
    "id:40101,phase:1,pass,t:none,t:sha1,t:hexEncode,log,setvar:'tx.ua_hash=%{MATCHED_VAR}'"
SecRule REQUEST_HEADERS:X-Missing "@unconditionalMatch" "id:40102,phase:1,pass,log,setvar:'tx.missing=1'"
SecRule REQUEST_HEADERS:Host "!@unconditionalMatch" "id:40103,phase:1,pass,log,setvar:'tx.negated=1'"
--REQUEST--
GET / HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (crs4-test)

--EXPECT--
intercepted 0
id 40101
log-contains Unconditional match in SecAction\. .*\[id "40101"\]
tx ua_hash b7257ea008abfd511f877c8f82c1e7fc38529d00
no-id 40102
no-tx missing
no-id 40103
no-tx negated
