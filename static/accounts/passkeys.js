// After a passkey is registered, reload the security page so it lists the new passkey.
document.addEventListener("otp_webauthn.register_complete", function () { window.location.reload(); });
