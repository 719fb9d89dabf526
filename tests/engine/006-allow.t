# allow stops rule processing for the request phases: the deny in phase 2
# never runs.
--CONF--
SecRuleEngine On
SecRule REMOTE_ADDR "@ipMatch 127.0.0.1" "id:601,phase:1,allow,log,msg:'trusted'"
SecRule REQUEST_URI "@contains attack" "id:602,phase:1,deny,log"
SecRule REQUEST_URI "@contains attack" "id:603,phase:2,deny,log"
--REQUEST--
GET /attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
status 200
id 601
no-id 602
no-id 603
log-contains ^ModSecurity: Access allowed \(phase 1\)\. IPmatch: "127\.0\.0\.1" matched at REMOTE_ADDR\.
