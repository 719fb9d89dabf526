# STREAM_INPUT_BODY does not exist in phase 1 (the body is not read yet);
# without a rewrite it stays for the later phases, phase 5 included.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecStreamInBodyInspection On
SecRule STREAM_INPUT_BODY "@rx ^" "id:5211,phase:1,pass,log,msg:'phase 1'"
SecRule STREAM_INPUT_BODY "@rx ^a=1" "id:5212,phase:2,pass,log,msg:'phase 2'"
SecRule STREAM_INPUT_BODY "@rx ^a=1" "id:5213,phase:5,pass,log,msg:'phase 5'"
--REQUEST--
POST /form HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

a=1&b=2
--EXPECT--
no-id 5211
id 5212
id 5213
request-body a=1&b=2
