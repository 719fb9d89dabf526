# 2.9's @rsub syntax: any delimiter, \/ for a slash, flag i, the closing
# delimiter may be left out, the replacement drops leading blanks and
# decodes |hex| and \: \; escapes; \\1 (\\\\1 in Apache's double quotes)
# is a group; each search restarts on the rest, so ^ matches again after
# every replacement.  Rules run in order on the rewritten value.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecStreamOutBodyInspection On
SecContentInjection On
SecRule STREAM_OUTPUT_BODY "@rsub s#<b>#<strong>#" "id:5131,phase:4,pass,nolog"
SecRule STREAM_OUTPUT_BODY "@rsub s/<\/b>/<\/strong>/" "id:5132,phase:4,pass,nolog"
SecRule STREAM_OUTPUT_BODY "@rsub s/WORLD/ |45 61|rth\;/i" "id:5133,phase:4,pass,nolog"
SecRule STREAM_OUTPUT_BODY "@rsub s/(\w+)@(\w+)\.example/\\\\2 at \\\\1" "id:5134,phase:4,pass,nolog"
SecRule STREAM_OUTPUT_BODY "@rsub s/^x/y/" "id:5135,phase:4,pass,nolog"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

xxx<b>Hello</b> world, mail bob@host.example
--EXPECT--
intercepted 0
response-body yyy<strong>Hello</strong> Earth;, mail host at bob
