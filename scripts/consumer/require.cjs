'use strict'
// Every entry through CommonJS `require`, as Jest, ts-node and plain Node scripts load them.
const {useEveryEntry} = require('./entries.cjs')

useEveryEntry({load: require, loadJson: require, resolve: require.resolve})
