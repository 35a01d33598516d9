// Loaded with the team board's chunk: its words join vue-i18n then.
import { mergeFeatureMessages } from '@/lazyMessages'
import messages from './messages'

mergeFeatureMessages('team', messages)
