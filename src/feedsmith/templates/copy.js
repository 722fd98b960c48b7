// Copy buttons for the feed addresses. Progressive: the buttons are `hidden` in the
// HTML and shown here, so without JavaScript the page simply shows the addresses as links.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) { return; }
  var label = button.innerHTML;
  function done(text) {
    button.textContent = text;
    setTimeout(function () { button.innerHTML = label; }, 2000);
  }
  function selectAddress() {
    // Plain-http sites have no Clipboard API: select the address so Ctrl+C/⌘C copies it.
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    done(document.execCommand && document.execCommand("copy") ? "Copied" : "Selected");
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(function () { done("Copied"); }, selectAddress);
    } else {
      selectAddress();
    }
  });
});
