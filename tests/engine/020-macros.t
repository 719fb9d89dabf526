# Macros in msg, logdata and setvar: request variables, collection
# elements, MATCHED_VAR(_NAME), a missing variable (empty), RULE.id in
# setvar.  ModSecurity 2.9 expands msg and logdata without the rule, so
# %{RULE.*} is empty there.
--CONF--
SecRuleEngine On
SecRule ARGS:user "@rx ^admin$" \
    "id:2001,phase:2,pass,log,msg:'user %{MATCHED_VAR} via %{REQUEST_METHOD} [%{RULE.id}]',logdata:'name=%{MATCHED_VAR_NAME} other=%{ARGS.other} missing=[%{tx.nothing}]',setvar:'tx.who=%{ARGS.user}@%{REMOTE_ADDR}',setvar:'tx.rule=%{RULE.id}'"
--REQUEST--
GET /login?user=admin&other=x1 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
id 2001
log-contains \[msg "user admin via GET \[\]"\] \[data "name=ARGS:user other=x1 missing=\[\]"\]
tx who admin@127.0.0.1
tx rule 2001
