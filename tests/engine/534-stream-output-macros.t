# Macros in the replacement and in the pattern are expanded per request;
# with flag d the expanded pattern is escaped (2.9's log_escape_re: "."
# is literal then).  Transformations apply to the value @rsub rewrites,
# so t:lowercase lowercases the whole body.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecStreamOutBodyInspection On
SecContentInjection On
SecRule STREAM_OUTPUT_BODY "@rsub s/%{ARGS.a}/[a]/" "id:5141,phase:4,pass,nolog"
SecRule STREAM_OUTPUT_BODY "@rsub s/%{ARGS.d}/[d]/d" "id:5142,phase:4,pass,nolog"
SecRule STREAM_OUTPUT_BODY "@rsub s/USER/%{ARGS.user}/" "id:5143,phase:4,pass,nolog"
SecRule STREAM_OUTPUT_BODY "@rsub s/zzz/z/" "id:5144,phase:4,pass,nolog,t:lowercase"
--REQUEST--
GET /page?a=x.z&d=1.5&user=Alice HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

xyz x.z 105 1.5 USER
--EXPECT--
intercepted 0
response-body [a] [a] 105 [d] alice
