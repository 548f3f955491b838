'use strict';
// The compiled addon, or an error the engine's loader catches (it then uses its JavaScript paths).
module.exports = require('./build/Release/coffer_native.node');
