// Submits the SAML POST form as soon as the page loads. Served as a file so no inline script is needed.
document.getElementById("saml-post")?.submit();
