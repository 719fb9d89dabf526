# @rsub on anything but STREAM_INPUT_BODY / STREAM_OUTPUT_BODY is an
# operator error: the rule stops with "Rule processing failed" (2.9.7).
--CONF--
SecRuleEngine On
SecRule ARGS "@rsub s/a/b/" "id:5231,phase:2,pass,log,msg:'rsub on ARGS'"
--REQUEST--
GET /?x=aaa HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
no-id 5231
log-contains Rule processing failed \(id=5231, msg=rsub on ARGS\)\.
