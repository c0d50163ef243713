// codellm MultiPL-E JavaScript I/O: encodes a value as a tagged JSON tree, values only.
// ["u"] undefined, ["z"] null, ["b",bool], ["n",String(number)], ["i",String(bigint)],
// ["s",string], ["a",[elements]], ["o",[[key,value],...]] (own enumerable keys, as
// assert.deepEqual compares a plain object), ["?",tag] for anything else (always a fail), and
// ["x",message] for a call that threw. Java decides equality (JsValues); nothing here can
// make a value count as equal to another.
const __codellmEncode = (function () {
  const toTag = Object.prototype.toString;
  function enc(v, depth) {
    if (depth > 200) return ["?", "nested deeper than 200"];
    if (v === undefined) return ["u"];
    if (v === null) return ["z"];
    switch (typeof v) {
      case "boolean": return ["b", v];
      case "number": return ["n", Object.is(v, -0) ? "-0" : String(v)];
      case "bigint": return ["i", String(v)];
      case "string": return ["s", v];
      case "object": {
        const tag = toTag.call(v);
        if (tag === "[object Array]") {
          // deepEqual also compares an array's own keys: a hole or an extra property makes it
          // differ from every array literal, so it is encoded as unrepresentable (never equal).
          if (Object.keys(v).length !== v.length) return ["?", "array with holes or extra properties"];
          const out = [];
          for (let i = 0; i < v.length; i++) out.push(enc(v[i], depth + 1));
          return ["a", out];
        }
        if (tag === "[object Object]") return ["o", Object.keys(v).map(k => [k, enc(v[k], depth + 1)])];
        return ["?", tag];
      }
      default: return ["?", typeof v];
    }
  }
  return v => enc(v, 0);
})();
