// The specs above, with no browser: they use the fixture's server and Holdfast's client in Node.
export default {testDir: '.', testMatch: /\.spec\.[cm]js$/, workers: 1, retries: 0, timeout: 15_000}
