# A chain matches when all its rules match; the log line carries the
# starter's metadata (id, msg, file/line of the starter) and the message of
# the last rule; macros in msg see the last matched variable.
--CONF--
SecRuleEngine On
SecRule ARGS:a "@rx attack" \
    "id:1101,phase:2,deny,log,msg:'chain hit %{MATCHED_VAR_NAME}',logdata:'%{MATCHED_VAR}',chain"
    SecRule REQUEST_METHOD "@streq GET" "t:none,chain"
        SecRule REQUEST_HEADERS:X-Test "@streq yes" "t:none"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost
X-Test: yes

--EXPECT--
intercepted 1
status 403
rule-id 1101
id 1101
log-contains String match "yes" at REQUEST_HEADERS:X-Test\. \[file "[^"]*main\.conf"\] \[line "3"\] \[id "1101"\] \[msg "chain hit REQUEST_HEADERS:X-Test"\] \[data "yes"\]
