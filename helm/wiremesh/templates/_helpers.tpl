{{/* The chart name, overridable. */}}
{{- define "wiremesh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource name: the release name, plus the chart name unless it contains it. */}}
{{- define "wiremesh.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wiremesh.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "wiremesh.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
{{ include "wiremesh.podLabels" . }}
{{- end }}

{{/* Labels on every resource but the selector labels (the Pods add these themselves). */}}
{{- define "wiremesh.podLabels" -}}
helm.sh/chart: {{ include "wiremesh.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wiremesh
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The operator's Pods. */}}
{{- define "wiremesh.operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wiremesh.name" . }}-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/*
The agents' Pods. The operator finds the agents by the label app.kubernetes.io/name=wiremesh-agent
(AgentDiscovery.AGENT_LABEL, the default of wiremesh.agent.selector): this value is fixed, whatever
nameOverride says. The instance label keeps two releases apart.
*/}}
{{- define "wiremesh.agent.selectorLabels" -}}
app.kubernetes.io/name: wiremesh-agent
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end }}

{{/* The label selector the operator lists the agent Pods with (wiremesh.agent.selector). */}}
{{- define "wiremesh.agent.selector" -}}
app.kubernetes.io/name=wiremesh-agent,app.kubernetes.io/instance={{ .Release.Name }}
{{- end }}

{{- define "wiremesh.operator.serviceAccountName" -}}
{{- default (printf "%s-operator" (include "wiremesh.fullname" .)) .Values.operator.serviceAccount.name }}
{{- end }}

{{- define "wiremesh.agent.serviceAccountName" -}}
{{- default (printf "%s-agent" (include "wiremesh.fullname" .)) .Values.agent.serviceAccount.name }}
{{- end }}

{{/* An image reference: repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "wiremesh.image" -}}
{{- printf "%s:%s" .image.repository (default .chart.AppVersion .image.tag | toString) }}
{{- end }}

{{/* The agents' PriorityClass: the chart's own when it creates one, else agent.priorityClassName. */}}
{{- define "wiremesh.agent.priorityClassName" -}}
{{- if .Values.priorityClass.create }}
{{- .Values.priorityClass.name }}
{{- else }}
{{- .Values.agent.priorityClassName }}
{{- end }}
{{- end }}
