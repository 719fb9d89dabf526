# setenv exports to the host environment.
--CONF--
SecRuleEngine On
SecRule ARGS:a "@rx ^(\w+)$" "id:8301,phase:1,pass,nolog,capture,setenv:waf_arg=%{TX.1}"
--REQUEST--
GET /?a=hello HTTP/1.1
Host: localhost

--EXPECT--
env waf_arg hello
