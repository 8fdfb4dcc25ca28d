// The console's copy of the group-name rule (GROUP_NAME_PATTERN in
// web/js/screens/common.js, the new-group input's pattern attribute) against
// the list that tests/spec/group_name_test.cc holds spec::IsValidGroupName to:
// both must accept and refuse the same names.
//   node group_names_check.mjs web/js/screens/common.js tests/spec/group_names.json
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// api.js reads the key from sessionStorage when it is imported.
globalThis.sessionStorage = { getItem: () => null, setItem() {}, removeItem() {} };

const [commonJs, listFile] = process.argv.slice(2);
const { GROUP_NAME_PATTERN } = await import(pathToFileURL(commonJs).href);

// As a browser applies a pattern attribute: the whole value, with the 'v' flag
// (HTML today), or 'u' where the engine predates it.
function patternRegExp(pattern) {
  try {
    return new RegExp(`^(?:${pattern})$`, 'v');
  } catch {
    return new RegExp(`^(?:${pattern})$`, 'u');
  }
}

const re = patternRegExp(GROUP_NAME_PATTERN);
const list = JSON.parse(readFileSync(listFile, 'utf8'));
let checked = 0;
const wrong = [];
for (const [accept, names] of [[true, list.accept], [false, list.refuse]]) {
  if (!Array.isArray(names) || names.length === 0) {
    console.error(`${listFile}: the ${accept ? 'accept' : 'refuse'} list is empty`);
    process.exit(1);
  }
  for (const name of names) {
    checked += 1;
    if (re.test(name) !== accept) wrong.push(`${JSON.stringify(name)} should be ${accept ? 'accepted' : 'refused'}`);
  }
}
if (wrong.length) {
  console.error(`GROUP_NAME_PATTERN ${GROUP_NAME_PATTERN} disagrees with spec::IsValidGroupName:\n  ${wrong.join('\n  ')}`);
  process.exit(1);
}
console.log(`GROUP_NAME_PATTERN ${GROUP_NAME_PATTERN} agrees on ${checked} names`);
