// Shows the parent or guardian block only while the date of birth says "under 18".
// Without this script the server decides (the block shows unless the participant is an adult).
(function () {
  "use strict";
  var birth = document.getElementById("birth_date");
  var block = document.getElementById("guardian-block");
  if (!birth || !block) { return; }

  function isAdult(value) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) { return false; }
    var today = new Date();
    var age = today.getFullYear() - Number(match[1]);
    var month = today.getMonth() + 1;
    if (month < Number(match[2]) || (month === Number(match[2]) && today.getDate() < Number(match[3]))) {
      age -= 1;
    }
    return age >= 18;
  }

  function update() { block.hidden = isAdult(birth.value); }
  birth.addEventListener("change", update);
  birth.addEventListener("input", update);
  update();  // also when the date was typed before this script ran
})();
