# CRS 4: @beginsWith (920xxx, 932xxx ...): a prefix, a macro prefix, a
# negation, and a value shorter than the prefix, which does not match.
--CONF--
SecRuleEngine On
SecAction "id:40000,phase:1,pass,nolog,setvar:'tx.admin_prefix=/admin/'"
SecRule REQUEST_FILENAME "@beginsWith /static/" "id:40001,phase:1,pass,log,msg:'static'"
SecRule REQUEST_FILENAME "@beginsWith %{tx.admin_prefix}" "id:40002,phase:1,pass,log,msg:'admin by macro'"
SecRule REQUEST_HEADERS:Content-Type "!@beginsWith multipart/" "id:40003,phase:1,pass,log,msg:'not multipart'"
SecRule ARGS:short "@beginsWith abcdef" "id:40004,phase:2,pass,log,msg:'too short'"
SecRule ARGS:case "@beginsWith ABC" "id:40005,phase:2,pass,log,msg:'case sensitive'"
--REQUEST--
GET /admin/users?short=abc&case=abcdef HTTP/1.1
Host: localhost
Content-Type: application/json

--EXPECT--
intercepted 0
no-id 40001
id 40002
log-contains String match "/admin/" at REQUEST_FILENAME\. .*\[id "40002"\]
id 40003
no-id 40004
no-id 40005
