import AppCore
import Domain
import Vapor
import Patients

/// The booking form's patient picker: search as you type (by name, birth date or MRN) through the audited patient
/// search. Without JavaScript the same field works by submitting the form, which lists the matches.
package enum PatientPicker {
    package struct Match: Content {
        package let id: UUID
        package let label: String
    }

    @Sendable package static func search(req: Request) async throws -> [Match] {
        guard let q = Text.clean(req.query[String.self, at: "q"]), q.count >= 2 else { return [] }
        let rows = try await req.patients().search(.init(text: String(q.prefix(100)), limit: 10))
        return rows.map { Match(id: $0.id, label: BookPage.label($0)) }
    }

    @Sendable package static func script(req: Request) async throws -> Response {
        Layout.script(source)
    }

    package static let source = #"""
        (() => {
          const input = document.getElementById('find'), list = document.getElementById('patient-results');
          if (!input || !list) return;
          let timer = null, last = '';
          const item = (text) => { const li = document.createElement('li'); li.textContent = text; return li; };
          input.addEventListener('input', () => {
            clearTimeout(timer);
            timer = setTimeout(async () => {
              const q = input.value.trim();
              if (q.length < 2 || q === last) return;
              last = q;
              try {
                const r = await fetch('/schedule/patient-search?q=' + encodeURIComponent(q),
                  { credentials: 'same-origin', headers: { Accept: 'application/json' } });
                if (!r.ok || input.value.trim() !== q) return;
                const found = await r.json();
                if (!found.length) { list.replaceChildren(item('No patient matches that yet.')); return; }
                list.replaceChildren(...found.map((p) => {
                  const li = document.createElement('li'), label = document.createElement('label');
                  const radio = document.createElement('input');
                  label.className = 'check'; radio.type = 'radio'; radio.name = 'patient'; radio.value = p.id;
                  radio.checked = found.length === 1;
                  label.append(radio, ' ' + p.label); li.append(label);
                  return li;
                }));
              } catch (e) { /* offline: the form still searches when submitted */ }
            }, 250);
          });
        })();
        """#
}
