# The three directives take On or Off, in any context.
--CONF--
SecContentInjection On
SecStreamInBodyInspection Off
SecStreamOutBodyInspection on
<Location /x>
    SecContentInjection Off
</Location>
--EXPECT--
config-ok
