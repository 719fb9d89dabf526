# capture puts the regex groups in TX:0..TX:9 for the rule's actions.
--CONF--
SecRuleEngine On
SecRule ARGS:order "@rx ^(\d+)-(\w+)$" \
    "id:2101,phase:2,pass,nolog,capture,setvar:'tx.num=%{TX.1}',setvar:'tx.word=%{tx.2}',setvar:'tx.all=%{TX.0}'"
--REQUEST--
GET /?order=42-widget HTTP/1.1
Host: localhost

--EXPECT--
tx num 42
tx word widget
tx all 42-widget
tx 0 42-widget
tx 1 42
tx 2 widget
