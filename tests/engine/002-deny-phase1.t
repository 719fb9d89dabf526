# deny in phase 1 stops the transaction: phase 2 rules do not run.
--CONF--
SecRuleEngine On
SecRule REQUEST_URI "@contains /admin" "id:201,phase:1,deny,log,msg:'admin area'"
SecRule REQUEST_METHOD "@streq GET" "id:202,phase:2,deny,status:406,log"
--REQUEST--
GET /admin/index.php HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
action deny
status 403
phase 1
rule-id 201
id 201
no-id 202
not-matched 202
log-contains ^ModSecurity: Access denied with code 403 \(phase 1\)\. String match "/admin" at REQUEST_URI\.
