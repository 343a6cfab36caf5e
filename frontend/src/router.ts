import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { ApiError } from '@/api/client'
import { defaultWorkspace, findWorkspace, loadMe, refreshSetupStatus, rememberWorkspace, session } from '@/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/setup', name: 'setup', component: () => import('@/views/SetupView.vue'), meta: { public: true, title: 'Set up GitMesh' } },
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: 'Sign in' } },
  { path: '/', name: 'home', component: () => import('@/views/HomeView.vue'), meta: { title: 'GitMesh' } },
  {
    path: '/w/:workspaceId',
    component: () => import('@/views/AppShell.vue'),
    children: [
      { path: '', redirect: (to) => ({ name: 'inbox', params: to.params }) },
      { path: 'inbox', name: 'inbox', component: () => import('@/views/InboxView.vue'), meta: { title: 'Inbox' } },
      { path: 'settings/members', name: 'members', component: () => import('@/settings/MembersView.vue'), meta: { title: 'Members' } },
      { path: 'settings/api-keys', name: 'api-keys', component: () => import('@/settings/ApiKeysView.vue'), meta: { title: 'API keys' } },
    ],
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { public: true, title: 'Not found' } },
]

export const router = createRouter({ history: createWebHistory(), routes })

export let bootError: string | null = null

router.beforeEach(async (to: RouteLocationNormalized) => {
  try {
    if (session.setupRequired === null || session.setupRequired) await refreshSetupStatus()
  } catch (error) {
    bootError = error instanceof ApiError ? error.message : 'Cannot reach the GitMesh server.'
    return to.name === 'login' ? true : { name: 'login' }
  }
  bootError = null
  if (session.setupRequired) return to.name === 'setup' ? true : { name: 'setup' }
  if (to.name === 'setup') return { name: 'home' }
  if (to.meta.public) return true

  if (!session.me) {
    const me = await loadMe().catch(() => null)
    if (!me) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }

  const workspaceId = to.params.workspaceId
  if (typeof workspaceId === 'string') {
    const workspace = findWorkspace(workspaceId)
    if (!workspace) {
      const fallback = defaultWorkspace()
      return fallback ? { name: 'inbox', params: { workspaceId: fallback.id } } : { name: 'home' }
    }
    rememberWorkspace(workspace.id)
  }
  return true
})

router.afterEach((to) => {
  const workspace = findWorkspace(typeof to.params.workspaceId === 'string' ? to.params.workspaceId : null)
  document.title = [to.meta.title, workspace?.name, 'GitMesh'].filter(Boolean).filter((v, i, a) => a.indexOf(v) === i).join(' · ')
})
