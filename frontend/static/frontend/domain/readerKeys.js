/**
 * The reader's keys, as one table: what a key press in the transcript does. Pure, so the whole keyboard
 * map is tested without a browser and the help line is written from the same table.
 *
 *   j ↓ / k ↑        next / previous codable segment
 *   / c Enter        to the code filter
 *   1 … 9            apply (or remove) the code with that number
 *   Shift+→ / ←      span: its end one word later / earlier (starts on the first word)
 *   Shift+↓ / ↑      span: its end one sentence later / earlier
 *   Alt+Shift+→ ←    span: its start one word later / earlier (Alt+Shift+↓ ↑: a sentence)
 *   Esc              drop the span: the next code goes to the whole segment
 *   s                submit the unit and go to the next one from the queue
 *   m                write a memo
 */

const ARROWS = { ArrowRight: ["word", 1], ArrowLeft: ["word", -1], ArrowDown: ["sentence", 1], ArrowUp: ["sentence", -1] };

/**
 * The action for a keydown (`{key, shiftKey, altKey, ctrlKey, metaKey}`), or null for a key the reader
 * leaves to the browser. `canCode`: whether the caller may code here (reading keys work for everyone).
 */
export function readerKeyAction(event, { canCode = true } = {}) {
  const { key, shiftKey = false, altKey = false, ctrlKey = false, metaKey = false } = event;
  if (ctrlKey || metaKey) return null;
  if (shiftKey && key in ARROWS) {
    if (!canCode) return null;
    const [granularity, direction] = ARROWS[key];
    return { type: "span", edge: altKey ? "start" : "end", direction, granularity };
  }
  if (altKey) return null;
  if (key === "j" || key === "ArrowDown") return { type: "step", direction: 1 };
  if (key === "k" || key === "ArrowUp") return { type: "step", direction: -1 };
  if (!canCode) return null;
  if (key === "/" || key === "c" || key === "Enter") return { type: "pick" };
  if (/^[1-9]$/.test(key)) return { type: "shortcut", key };
  if (key === "Escape") return { type: "clear-span" };
  if (key === "s") return { type: "submit" };
  if (key === "m") return { type: "memo" };
  return null;
}
