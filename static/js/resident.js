// Residents' pages: progressive enhancement only. Every page works without this
// file (the server checks and decides everything); with it, conditional
// questions hide until they apply, totals add up as you type, a place given to
// one menu item is taken from another, each question can be read aloud where
// the browser speaks, and a draft is kept in this browser until it is sent.
(function () {
  "use strict";

  var form = document.querySelector("form.survey");

  function each(root, selector, callback) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), callback);
  }

  function money(amount) {
    // Same words as surveys/question_block.py money(): 12万元, 3,000元.
    if (amount >= 10000) {
      return (Math.round(amount / 100) / 100).toString() + "万";
    }
    return Math.round(amount).toLocaleString("en-US");
  }

  // --- Conditional questions: shown only when their condition holds ---
  function updateConditions() {
    each(document, "fieldset[data-show-if]", function (fieldset) {
      var name = fieldset.getAttribute("data-show-if");
      var wanted = fieldset.getAttribute("data-show-value");
      var met = false;
      each(document, '[name="' + name + '"]', function (input) {
        if (input.checked && input.value === wanted) { met = true; }
      });
      fieldset.hidden = !met;
    });
  }

  // --- Live totals: points and costs; the server checks them again ---
  function updateTotals() {
    each(document, "ul[data-points-budget]", function (list) {
      var sum = 0;
      each(list, "input[data-points]", function (input) {
        var value = parseInt(input.value, 10);
        if (value > 0) { sum += value; }
      });
      showTotal(list, sum, sum, parseInt(list.getAttribute("data-points-budget"), 10));
    });
    each(document, "ul[data-cost-budget]", function (list) {
      var sum = 0;
      each(list, "input[data-cost]:checked", function (input) {
        sum += parseFloat(input.getAttribute("data-cost")) || 0;
      });
      showTotal(list, sum, money(sum), parseFloat(list.getAttribute("data-cost-budget")));
    });
  }

  function showTotal(list, sum, words, budget) {
    var total = list.parentNode.querySelector("[data-total]");
    if (!total) { return; }
    total.hidden = false;
    total.querySelector("[data-sum]").textContent = words;
    var over = sum > budget;
    total.classList.toggle("is-over", over);
    total.querySelector("[data-over]").hidden = !over;
  }

  // --- Menu ranking: one place per item ---
  function takePlace(select) {
    if (!select.value) { return; }
    var list = select.closest("[data-rank]");
    each(list, "select", function (other) {
      if (other !== select && other.value === select.value) { other.value = ""; }
    });
  }

  // --- Characters left in a text answer ---
  function updateCounter(textarea) {
    var counter = textarea.parentNode.querySelector("[data-count]");
    if (!counter) { return; }
    var left = parseInt(textarea.getAttribute("data-counter"), 10) - textarea.value.length;
    var chinese = document.documentElement.lang.indexOf("zh") === 0;
    counter.hidden = false;
    counter.classList.toggle("is-over", left < 0);
    if (left >= 0) {
      counter.textContent = chinese ? "还可以写" + left + "字" : left + " characters left";
    } else {
      counter.textContent = chinese
        ? "超出" + -left + "字，请删减一些"
        : -left + " characters too many: please shorten it";
    }
  }

  // --- Read aloud, where the browser can speak ---
  function setUpSpeech() {
    if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
      return;
    }
    var chinese = document.documentElement.lang.indexOf("zh") === 0;
    each(document, "[data-speak]", function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var fieldset = button.closest("fieldset");
        var parts = [];
        each(fieldset, "legend, .condition, .hint, .question-error, label, .live-total:not([hidden])", function (node) {
          parts.push(node.textContent.replace(/\s+/g, " ").trim());
        });
        window.speechSynthesis.cancel();
        var utterance = new SpeechSynthesisUtterance(parts.join("。"));
        utterance.lang = chinese ? "zh-CN" : "en";
        utterance.rate = 0.9;
        var voices = window.speechSynthesis.getVoices();
        for (var i = 0; i < voices.length; i++) {
          if (voices[i].lang.replace("_", "-").indexOf(chinese ? "zh-CN" : "en") === 0) {
            utterance.voice = voices[i];
            break;
          }
        }
        window.speechSynthesis.speak(utterance);
      });
    });
  }

  // --- A draft in this browser, per household code and campaign ---
  var storage = null;
  try {
    storage = window.localStorage;
    storage.setItem("bt-probe", "1");
    storage.removeItem("bt-probe");
  } catch (error) {
    storage = null; // private mode or a WebView without storage: no drafts
  }

  function draftKey(path) { return "bt-draft:" + path; }

  function saveDraft() {
    if (!storage || !form) { return; }
    var fields = [];
    each(form, "input, select, textarea", function (input) {
      if (!input.name || input.type === "file") { return; }
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) { return; }
      fields.push([input.name, input.value]);
    });
    try {
      storage.setItem(draftKey(form.getAttribute("data-draft-key")), JSON.stringify({
        version: form.getAttribute("data-version"),
        fields: fields
      }));
    } catch (error) { /* storage full: the form still works */ }
  }

  function applyFields(fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    each(form, "input, select, textarea", function (input) {
      if (!input.name || input.type === "file") { return; }
      var wanted = values[input.name] || [];
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = wanted.indexOf(input.value) !== -1;
      } else {
        input.value = wanted.length ? wanted[0] : "";
      }
    });
  }

  function restoreDraft() {
    if (!storage || !form || form.hasAttribute("data-has-errors")) { return; }
    var key = draftKey(form.getAttribute("data-draft-key"));
    var draft = null;
    try { draft = JSON.parse(storage.getItem(key)); } catch (error) { draft = null; }
    if (!draft || !draft.fields) { return; }
    if (draft.version !== form.getAttribute("data-version")) {
      // Answers were submitted since (here, elsewhere or on paper): they win.
      storage.removeItem(key);
      return;
    }
    var before = JSON.stringify(draft.fields);
    saveDraft(); // the form as the server sent it, to compare
    var current = JSON.parse(storage.getItem(key)).fields;
    if (JSON.stringify(current) === before) { return; }
    var original = current;
    applyFields(draft.fields);
    saveDraft();
    var note = document.querySelector("[data-draft-note]");
    if (note) {
      note.hidden = false;
      note.querySelector("[data-draft-discard]").addEventListener("click", function () {
        applyFields(original);
        storage.removeItem(key);
        note.hidden = true;
        refresh();
      });
    }
  }

  function clearSavedDraft() {
    var notice = document.querySelector("[data-clear-draft]");
    if (storage && notice) {
      storage.removeItem(draftKey(notice.getAttribute("data-clear-draft")));
    }
  }

  function refresh() {
    updateConditions();
    updateTotals();
    each(document, "textarea[data-counter]", updateCounter);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-rank] select")) { takePlace(target); }
    refresh();
    if (form && form.contains(target)) { saveDraft(); }
  });
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches && target.matches("textarea[data-counter]")) { updateCounter(target); }
    updateTotals();
    if (form && form.contains(target)) { saveDraft(); }
  });

  clearSavedDraft();
  restoreDraft();
  refresh();
  setUpSpeech();
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
