import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import BenchmarkCharts from './components/BenchmarkCharts.vue';
import IoBenchmark from './components/IoBenchmark.vue';
import './custom.css';

const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('BenchmarkCharts', BenchmarkCharts);
    app.component('IoBenchmark', IoBenchmark);
  },
};
export default theme;
