# A urlencoded body is parsed into ARGS_POST (with SecRequestBodyAccess On).
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRule ARGS_POST:comment "@contains <script>" "id:7401,phase:2,deny,log"
SecRule ARGS_GET:comment "@contains <script>" "id:7402,phase:2,pass,log"
--REQUEST--
POST /form?src=x HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

name=joe&comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E
--EXPECT--
intercepted 1
rule-id 7401
no-id 7402
log-contains String match "<script>" at ARGS_POST:comment\.
