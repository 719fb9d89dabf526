# The error log line, field by field, in ModSecurity 2.9's order; [line]
# is the last line of a directive continued over several lines.
--CONF--
SecRuleEngine On
SecRule ARGS:a "@rx attack" \
    "id:3801,phase:2,deny,rev:'2',msg:'Attack in %{MATCHED_VAR_NAME}',\
    logdata:'value %{MATCHED_VAR}',severity:'CRITICAL',ver:'v1',maturity:'9',\
    accuracy:'8',tag:'t1',tag:'t2'"
--REQUEST--
GET /index.html?a=attack HTTP/1.1
Host: LocalHost:8080

--EXPECT--
intercepted 1
log-count 1
log-contains ^ModSecurity: Access denied with code 403 \(phase 2\)\. Pattern match "attack" at ARGS:a\. \[file "[^"]*/main\.conf"\] \[line "5"\] \[id "3801"\] \[rev "2"\] \[msg "Attack in ARGS:a"\] \[data "value attack"\] \[severity "CRITICAL"\] \[ver "v1"\] \[maturity "9"\] \[accuracy "8"\] \[tag "t1"\] \[tag "t2"\] \[hostname "localhost"\] \[uri "/index\.html"\] \[unique_id "[^"]+"\]$
