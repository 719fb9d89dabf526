# Anything but On or Off is refused.
--CONF--
SecContentInjection Yes
--EXPECT--
error-contains On or Off
error-line 1
