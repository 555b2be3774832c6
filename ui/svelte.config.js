import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// A component's scoped class is named for the component (`s-ContainerRow`), not for a hash of
// its CSS: the first screen's static copy (src/lib/first/screen.ts) carries the same classes.
// Names must then be unique; a second file of the same name stops the build.
const owners = new Map();
function cssHash({ name, filename }) {
  const owner = owners.get(name) ?? filename;
  if (owner !== filename) throw new Error(`two components are named ${name} (${owner}, ${filename}): scoped classes would clash`);
  owners.set(name, filename);
  return `s-${name}`;
}

export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true, cssHash },
};
