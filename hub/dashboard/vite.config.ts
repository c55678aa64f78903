import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Two pages: the app (index.html, behind the login) and the login form (login.html, public). Assets
// get content-hashed names, which the hub serves as immutable.
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { index: here('index.html'), login: here('login.html') } },
  },
});
