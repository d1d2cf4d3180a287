{{/* Chart name, truncated to the 63 characters Kubernetes allows in names. */}}
{{- define "csm-server.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release + chart, unless the release already holds the chart name. */}}
{{- define "csm-server.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "csm-server.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "csm-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "csm-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "csm-server.labels" -}}
helm.sh/chart: {{ include "csm-server.chart" . }}
{{ include "csm-server.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "csm-server.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "csm-server.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding HF_TOKEN, CSM_AUTH_API_KEY and CSM_WATERMARK_KEY. */}}
{{- define "csm-server.secretName" -}}
{{- default (include "csm-server.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* Whether any secret value is set (an empty chart-managed Secret is not created). */}}
{{- define "csm-server.hasSecrets" -}}
{{- $any := false }}
{{- range $k, $v := .Values.secrets }}{{ if $v }}{{ $any = true }}{{ end }}{{ end }}
{{- if or .Values.existingSecret $any }}true{{ end }}
{{- end }}

{{- define "csm-server.redisName" -}}
{{- printf "%s-redis" (include "csm-server.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Redis URL for QUARKUS_REDIS_HOSTS: the explicit value, else the Redis this chart deploys. */}}
{{- define "csm-server.redisHosts" -}}
{{- if .Values.config.QUARKUS_REDIS_HOSTS }}
{{- .Values.config.QUARKUS_REDIS_HOSTS }}
{{- else if .Values.redis.enabled }}
{{- printf "redis://%s:%d" (include "csm-server.redisName" .) (int .Values.redis.port) }}
{{- end }}
{{- end }}

{{- define "csm-server.image" -}}
{{- printf "%s:%s" .Values.image.repository (default (printf "%s-gpu" .Chart.AppVersion) .Values.image.tag) }}
{{- end }}

{{/* Settings that cannot work together fail the render with the fix in the message. */}}
{{- define "csm-server.validate" -}}
{{- if and .Values.gpu.enabled (ne (int .Values.gpu.count) 1) }}
{{- fail "gpu.count must be 1: one replica = one GPU = one inference worker; scale with replicaCount or autoscaling" }}
{{- end }}
{{- if and (eq .Values.config.CSM_CONTEXTS_STORE "redis") (not (include "csm-server.redisHosts" .)) }}
{{- fail "config.CSM_CONTEXTS_STORE=redis needs config.QUARKUS_REDIS_HOSTS or redis.enabled=true" }}
{{- end }}
{{- if not (has .Values.config.CSM_CONTEXTS_STORE (list "file" "redis")) }}
{{- fail "config.CSM_CONTEXTS_STORE must be file or redis" }}
{{- end }}
{{- if not (has .Values.autoscaling.metric.type (list "Pods" "External")) }}
{{- fail "autoscaling.metric.type must be Pods or External" }}
{{- end }}
{{- end }}

{{/* Labels of the bundled Redis: a different name, so the app's selectors never pick it up. */}}
{{- define "csm-server.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "csm-server.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "csm-server.redisLabels" -}}
helm.sh/chart: {{ include "csm-server.chart" . }}
{{ include "csm-server.redisSelectorLabels" . }}
app.kubernetes.io/component: redis
app.kubernetes.io/part-of: {{ include "csm-server.name" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
