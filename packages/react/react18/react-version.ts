import {version} from 'react'
import {expect} from 'vitest'

// The point of this run: the hook under test sees React 18, not the workspace's React 19.
expect(version).toMatch(/^18\./)
