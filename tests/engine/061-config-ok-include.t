# A configuration spread over files: continuations, comments, Include with
# a wildcard (sorted), IncludeOptional of nothing, <IfModule> for our module.
--CONF--
# main file
<IfModule security2_module>
    SecRuleEngine On
    Include @DIR@/rules/*.conf
    IncludeOptional @DIR@/none/*.conf
</IfModule>
<IfModule !security2_module>
    SecRuleEngine Off
</IfModule>
<IfModule mod_nonexistent.c>
    SecBogusDirective is skipped
</IfModule>
--FILE rules/b.conf--
SecRule ARGS:a "@rx attack" \
    "id:6102,\
    phase:2,\
    deny,\
    status:406,\
    log"
--FILE rules/a.conf--
# comment with a continuation \
SecRule ARGS:a "@rx attack" "id:6101,phase:2,deny,log"
SecAction "id:6100,phase:2,pass,nolog,setvar:tx.first=1"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 406
rule-id 6102
tx first 1
log-contains \[file "[^"]*/rules/b\.conf"\] \[line "6"\] \[id "6102"\]
