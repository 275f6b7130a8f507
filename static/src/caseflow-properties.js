// Caseflow's properties: a user task's form, a service task's operation, result variable and parameters, the role a
// lane maps to, a timer's kind and expression. The values offered come from the server (config.caseflow.options),
// exactly those lint accepts; each change goes through bpmn-js's modeling, so it can be undone.
import { html } from 'htm/preact';
import {
  SelectEntry, TextFieldEntry, TextAreaEntry,
  isSelectEntryEdited, isTextFieldEntryEdited, isTextAreaEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const PARAMETER_LINE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

function extension(bo, type) {
  const extensions = bo.get('extensionElements');
  return extensions ? extensions.get('values').find((value) => is(value, type)) : undefined;
}

// The extension element of `type` on the element's business object, created (with bpmn:extensionElements) if absent.
function ensureExtension(element, type, attrs, injector) {
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const bo = getBusinessObject(element);
  let extensions = bo.get('extensionElements');
  if (!extensions) {
    extensions = moddle.create('bpmn:ExtensionElements', {values: []});
    extensions.$parent = bo;
    modeling.updateModdleProperties(element, bo, {extensionElements: extensions});
  }
  let found = extensions.get('values').find((value) => is(value, type));
  if (!found) {
    found = moddle.create(type, attrs || {});
    found.$parent = extensions;
    modeling.updateModdleProperties(element, extensions, {values: [...extensions.get('values'), found]});
  }
  return found;
}

function formKey(element) {
  const properties = extension(getBusinessObject(element), 'spiffworkflow:Properties');
  const property = properties && properties.get('values').find((p) => p.name === 'formKey');
  return property ? property.value : '';
}

function setFormKey(element, value, injector) {
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const properties = ensureExtension(element, 'spiffworkflow:Properties', {values: []}, injector);
  const property = properties.get('values').find((p) => p.name === 'formKey');
  if (property) {
    modeling.updateModdleProperties(element, property, {value: value});
  } else {
    const created = moddle.create('spiffworkflow:Property', {name: 'formKey', value: value});
    created.$parent = properties;
    modeling.updateModdleProperties(element, properties, {values: [...properties.get('values'), created]});
  }
}

function labelOf(labels, locale) {
  return labels[locale] || labels.en || Object.values(labels)[0] || '';
}

function withUnknown(options, current, unknownText) {
  if (current && !options.some((option) => option.value === current)) {
    return [{value: current, label: current + ' · ' + unknownText}, ...options];
  }
  return options;
}

function FormEntry(props) {
  const {element, id} = props;
  const injector = useService('injector');
  const config = useService('config.caseflow');
  const forms = config.options.forms || [];
  const getOptions = () => withUnknown(
    [{value: '', label: '—'}, ...forms.map((form) => ({value: form.key,
      label: form.key + ' · ' + labelOf(form.title, config.locale)}))],
    formKey(element), config.labels.unknown);
  return html`<${SelectEntry} id=${id} element=${element} label=${config.labels.form}
    getValue=${() => formKey(element)} setValue=${(value) => setFormKey(element, value, injector)}
    getOptions=${getOptions} />`;
}

function operator(element) {
  return extension(getBusinessObject(element), 'spiffworkflow:ServiceTaskOperator');
}

function OperationEntry(props) {
  const {element, id} = props;
  const injector = useService('injector');
  const config = useService('config.caseflow');
  const current = () => (operator(element) || {}).id || '';
  const getOptions = () => withUnknown(
    [{value: '', label: '—'}, ...(config.options.operations || []).map((name) => ({value: name, label: name}))],
    current(), config.labels.unknown);
  const setValue = (value) => {
    const found = ensureExtension(element, 'spiffworkflow:ServiceTaskOperator', {}, injector);
    injector.get('modeling').updateModdleProperties(element, found, {id: value});
  };
  return html`<${SelectEntry} id=${id} element=${element} label=${config.labels.operation}
    getValue=${current} setValue=${setValue} getOptions=${getOptions} />`;
}

function ResultVariableEntry(props) {
  const {element, id} = props;
  const injector = useService('injector');
  const config = useService('config.caseflow');
  const debounce = useService('debounceInput');
  const setValue = (value) => {
    const found = ensureExtension(element, 'spiffworkflow:ServiceTaskOperator', {}, injector);
    injector.get('modeling').updateModdleProperties(element, found, {resultVariable: value || undefined});
  };
  return html`<${TextFieldEntry} id=${id} element=${element} label=${config.labels.resultVariable}
    getValue=${() => (operator(element) || {}).resultVariable || ''} setValue=${setValue} debounce=${debounce} />`;
}

function parametersText(element) {
  const found = operator(element);
  const parameters = found && found.get('parameters');
  return parameters ? parameters.get('values').map((p) => p.id + ' = ' + (p.value || '')).join('\n') : '';
}

function setParameters(element, text, injector) {
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const found = ensureExtension(element, 'spiffworkflow:ServiceTaskOperator', {}, injector);
  const before = found.get('parameters');
  const types = {};
  (before ? before.get('values') : []).forEach((p) => { types[p.id] = p.type; });
  const list = moddle.create('spiffworkflow:Parameters', {values: []});
  list.$parent = found;
  (text || '').split('\n').forEach((line) => {
    const match = PARAMETER_LINE.exec(line);
    if (!match) return;
    const parameter = moddle.create('spiffworkflow:Parameter',
      {id: match[1], type: types[match[1]] || 'any', value: match[2].trim()});
    parameter.$parent = list;
    list.get('values').push(parameter);
  });
  modeling.updateModdleProperties(element, found, {parameters: list.get('values').length ? list : undefined});
}

function ParametersEntry(props) {
  const {element, id} = props;
  const injector = useService('injector');
  const config = useService('config.caseflow');
  const debounce = useService('debounceInput');
  return html`<${TextAreaEntry} id=${id} element=${element} label=${config.labels.parameters}
    description=${config.labels.parametersHelp} rows=${4} monospace=${true}
    getValue=${() => parametersText(element)} setValue=${(value) => setParameters(element, value, injector)}
    debounce=${debounce} />`;
}

function RoleEntry(props) {
  const {element, id} = props;
  const modeling = useService('modeling');
  const config = useService('config.caseflow');
  // A bilingual lane name ('就业服务专员\nCaseworker') stands for the role of its English line.
  const current = () => (getBusinessObject(element).name || '').split('\n')
    .filter((line) => !/[\u3400-\u9fff\uf900-\ufaff]/.test(line)).join(' ').trim().toLowerCase();
  const getOptions = () => withUnknown(
    [{value: '', label: '—'}, ...(config.options.roles || []).map((role) => ({value: role,
      label: (config.labels.roles || {})[role] || role}))],
    current(), config.labels.unknown);
  // The lane gets the role's bilingual name as the diagrams write it (Chinese line, English line).
  const setValue = (value) => modeling.updateProperties(element,
    {name: value ? (config.options.lane_names || {})[value] || value.charAt(0).toUpperCase() + value.slice(1) : ''});
  return html`<${SelectEntry} id=${id} element=${element} label=${config.labels.role}
    getValue=${current} setValue=${setValue} getOptions=${getOptions} />`;
}

function timerDefinition(element) {
  const definitions = getBusinessObject(element).get('eventDefinitions') || [];
  return definitions.find((definition) => is(definition, 'bpmn:TimerEventDefinition'));
}

const TIMER_KINDS = ['timeDate', 'timeDuration', 'timeCycle'];

function timerKind(definition) {
  return TIMER_KINDS.find((kind) => definition.get(kind)) || '';
}

function setTimer(element, kind, body, injector) {
  const definition = timerDefinition(element);
  const expression = injector.get('moddle').create('bpmn:FormalExpression', {body: body});
  expression.$parent = definition;
  const changes = {timeDate: undefined, timeDuration: undefined, timeCycle: undefined};
  if (kind) changes[kind] = expression;
  injector.get('modeling').updateModdleProperties(element, definition, changes);
}

function timerBody(definition) {
  const kind = timerKind(definition);
  return kind ? definition.get(kind).body || '' : '';
}

function TimerKindEntry(props) {
  const {element, id} = props;
  const injector = useService('injector');
  const config = useService('config.caseflow');
  const getOptions = () => [{value: '', label: '—'},
    ...(config.options.timer_kinds || TIMER_KINDS).map((kind) => ({value: kind, label: config.labels[kind] || kind}))];
  return html`<${SelectEntry} id=${id} element=${element} label=${config.labels.timerKind}
    getValue=${() => timerKind(timerDefinition(element))}
    setValue=${(value) => setTimer(element, value, timerBody(timerDefinition(element)), injector)}
    getOptions=${getOptions} />`;
}

function TimerExpressionEntry(props) {
  const {element, id} = props;
  const injector = useService('injector');
  const config = useService('config.caseflow');
  const debounce = useService('debounceInput');
  const setValue = (value) => setTimer(element, timerKind(timerDefinition(element)) || 'timeDuration', value,
    injector);
  return html`<${TextFieldEntry} id=${id} element=${element} label=${config.labels.timerExpression}
    description=${config.labels.timerHelp} getValue=${() => timerBody(timerDefinition(element))}
    setValue=${setValue} debounce=${debounce} />`;
}

function entries(element) {
  if (is(element, 'bpmn:UserTask')) {
    return [{id: 'caseflow-form', element, component: FormEntry, isEdited: isSelectEntryEdited}];
  }
  if (is(element, 'bpmn:ServiceTask')) {
    return [
      {id: 'caseflow-operation', element, component: OperationEntry, isEdited: isSelectEntryEdited},
      {id: 'caseflow-result-variable', element, component: ResultVariableEntry, isEdited: isTextFieldEntryEdited},
      {id: 'caseflow-parameters', element, component: ParametersEntry, isEdited: isTextAreaEntryEdited},
    ];
  }
  if (is(element, 'bpmn:Lane')) {
    return [{id: 'caseflow-role', element, component: RoleEntry, isEdited: isSelectEntryEdited}];
  }
  if (is(element, 'bpmn:Event') && timerDefinition(element)) {
    return [
      {id: 'caseflow-timer-kind', element, component: TimerKindEntry, isEdited: isSelectEntryEdited},
      {id: 'caseflow-timer-expression', element, component: TimerExpressionEntry, isEdited: isTextFieldEntryEdited},
    ];
  }
  return [];
}

class CaseflowPropertiesProvider {
  constructor(propertiesPanel, config) {
    this._label = (config && config.labels && config.labels.group) || 'Caseflow';
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      // The standard timer group edits the same definition; ours offers what lint checks, in the user's language.
      groups = groups.filter((group) => group.id !== 'timer');
      const found = entries(element);
      if (found.length) {
        const at = groups.findIndex((group) => group.id === 'general');
        groups.splice(at + 1, 0, {id: 'caseflow', label: this._label, entries: found, shouldOpen: true});
      }
      return groups;
    };
  }
}
CaseflowPropertiesProvider.$inject = ['propertiesPanel', 'config.caseflow'];

export default {
  __init__: ['caseflowPropertiesProvider'],
  caseflowPropertiesProvider: ['type', CaseflowPropertiesProvider],
};
