# An operator error ends the rule at that value, as in 2.9: "Rule
# processing failed" reaches the error log, the values after it are not
# tried (b would match and deny), and the next rules run.  @ipMatch logs
# why first; @rbl on http:BL without SecHttpBlKey fails the same way.
--CONF--
SecRuleEngine On
SecRule ARGS "@ipMatch 1.2.3.4" "id:3181,phase:1,deny,log,msg:'ip %{MATCHED_VAR}'"
SecRule ARGS "@rbl dnsbl.httpbl.org" "id:3182,phase:1,deny,log"
SecRule ARGS:b "@ipMatch 1.2.3.4" "id:3183,phase:1,pass,log,msg:'still runs'"
--REQUEST--
GET /index.html?a=notanip&b=1.2.3.4 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-contains ^ModSecurity: IPmatch: bad IPv4 specification "notanip"\. \[hostname "localhost"\]
log-contains ^ModSecurity: Rule processing failed \(id=3181, msg=ip %\{MATCHED_VAR\}\)\. \[hostname
log-contains ^ModSecurity: Rule processing failed \(id=3182, msg=\)\. \[hostname
id 3183
