// Types for the non-TypeScript modules the theme imports; Vite (the VitePress build) resolves them.
declare module '*.vue' {
  const component: Parameters<import('vitepress').EnhanceAppContext['app']['component']>[1];
  export default component;
}
declare module '*.css';
