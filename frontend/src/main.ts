import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { setUnauthorizedHandler } from './api/client'
import { session } from './session'
import './styles.css'

// A 401 from any data call means the session cookie expired or was revoked: back to sign-in, then back here.
setUnauthorizedHandler(() => {
  if (!session.me) return
  session.me = null
  const current = router.currentRoute.value
  if (!current.meta.public) void router.replace({ name: 'login', query: { redirect: current.fullPath } })
})

createApp(App).use(router).mount('#app')
