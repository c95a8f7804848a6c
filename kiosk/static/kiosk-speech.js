/* The kiosk says the number it just issued, once, quietly, on its own speaker.
 *
 *   KioskSpeech.say(device, answer.speech);   // speech: {text, caption, url, volume} or null
 *
 * The WAV is fetched with the kiosk's token (GET /api/v1/kiosk/tickets/{id}/speech.wav,
 * rendered by the announcer's engine) and played at `volume`. Nothing waits for it: the
 * number is on screen already; a voice that does not come simply stays silent.
 * `KioskSpeech.last` tells what was said last (for the installer's checks and the tests).
 */
(function () {
  "use strict";

  var current = null;
  var api = { last: null, said: 0 };

  api.say = function (device, speech) {
    if (!speech || !speech.url || !device || !device.token) return;
    if (current) { current.pause(); current = null; }  // a new number replaces the old one
    var record = { url: speech.url, text: speech.text, volume: speech.volume, bytes: 0,
                   state: "fetching" };
    api.last = record;
    fetch(speech.url, { headers: { "Authorization": "Bearer " + device.token }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.blob();
      })
      .then(function (blob) {
        if (api.last !== record) return;  // a newer ticket came first
        record.bytes = blob.size;
        var address = URL.createObjectURL(blob);
        var audio = new Audio(address);
        audio.volume = Math.max(0, Math.min(1, Number(speech.volume) || 0.6));
        current = audio;
        var done = function () { URL.revokeObjectURL(address); if (current === audio) current = null; };
        audio.addEventListener("ended", done);
        audio.addEventListener("error", done);
        record.state = "playing";
        api.said += 1;
        var playing = audio.play();
        if (playing && playing.catch) playing.catch(function () { record.state = "blocked"; done(); });
      })
      .catch(function (error) { record.state = "failed: " + error.message; });
  };

  window.KioskSpeech = api;
})();
