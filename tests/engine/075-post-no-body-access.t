# Without SecRequestBodyAccess the body is not parsed.
--CONF--
SecRuleEngine On
SecRequestBodyAccess Off
SecRule ARGS "@contains <script>" "id:7501,phase:2,deny,log"
--REQUEST--
POST /form HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

comment=%3Cscript%3E
--EXPECT--
intercepted 0
no-id 7501
