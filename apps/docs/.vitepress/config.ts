import { type DefaultTheme, defineConfig } from 'vitepress';

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Introduction',
    items: [
      { text: 'What is tock?', link: '/guide/' },
      { text: 'Quick start', link: '/guide/quick-start' },
    ],
  },
  {
    text: 'Using tock',
    items: [
      { text: 'Asking for the time', link: '/guide/querying' },
      { text: 'Deploying tockd', link: '/guide/deploying' },
      { text: 'The client library', link: '/guide/client-library' },
      { text: 'Load testing', link: '/guide/load-testing' },
    ],
  },
];

const reference: DefaultTheme.SidebarItem[] = [
  { text: 'Protocol specification', link: '/protocol' },
  {
    text: 'CLI reference',
    link: '/cli/',
    items: [
      { text: 'tockd', link: '/cli/tockd' },
      { text: 'tock', link: '/cli/tock' },
      { text: 'tock-loadgen', link: '/cli/tock-loadgen' },
    ],
  },
  {
    text: 'API reference',
    link: '/api/',
    items: [
      { text: '@tock/protocol', link: '/api/protocol' },
      { text: '@tock/server', link: '/api/server' },
      { text: '@tock/client', link: '/api/client' },
      { text: '@tock/loadgen', link: '/api/loadgen' },
      { text: '@tock/udp', link: '/api/udp' },
    ],
  },
  { text: 'Benchmarks', link: '/benchmarks' },
];

export default defineConfig({
  title: 'tock',
  description:
    'tock: a UDP time service in TypeScript. tockd answers plain text, JSON and NTP on one port; tock asks any time server; tock-loadgen measures them.',
  lang: 'en-GB',
  srcDir: 'src',
  outDir: 'dist',
  // Plain .html URLs: the site works from any static host, with no rewriting of /page to /page.html.
  cleanUrls: false,
  lastUpdated: false,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/logo.svg' }]],
  markdown: {
    theme: { light: 'github-light', dark: 'github-dark' },
  },
  themeConfig: {
    logo: '/logo.svg',
    nav: [
      { text: 'Guide', link: '/guide/', activeMatch: '^/guide/' },
      { text: 'Protocol', link: '/protocol' },
      {
        text: 'Reference',
        activeMatch: '^/(cli|api)/',
        items: [
          { text: 'CLI reference', link: '/cli/' },
          { text: 'API reference', link: '/api/' },
        ],
      },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
    sidebar: {
      '/guide/': [...guide, { text: 'Reference', items: reference }],
      '/protocol': [{ text: 'Reference', items: reference }, ...guide],
      '/cli/': [{ text: 'Reference', items: reference }, ...guide],
      '/benchmarks': [{ text: 'Reference', items: reference }, ...guide],
      '/api/': [{ text: 'Reference', items: reference }, ...guide],
    },
    outline: { level: [2, 3] },
    search: { provider: 'local' },
    footer: { message: 'tock is released under the MIT License.' },
  },
});
