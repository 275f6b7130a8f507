// The designer's modeler: bpmn-js with the properties panel and Caseflow's properties, bundled by esbuild at
// `npm ci` (package.json "postinstall") into static/build/designer-modeler.js, which sets window.CaseflowModeler.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import CaseflowPropertiesModule from './caseflow-properties.js';
import spiffworkflow from './spiffworkflow.json';

window.CaseflowModeler = {
  create(options) {
    return new Modeler({
      ...options,
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CaseflowPropertiesModule,
        ...(options.additionalModules || [])],
      moddleExtensions: {spiffworkflow: spiffworkflow},
    });
  },
};
